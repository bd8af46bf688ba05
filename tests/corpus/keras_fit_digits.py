# corpus: float64=no floats=float32
# Chapter 2's first network, on scikit-learn's bundled 8×8 digits in place of MNIST
from sklearn.datasets import load_digits
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(1)
digits = load_digits()
images = digits.images.reshape((1797, 8 * 8)).astype("float32") / 16
labels = digits.target
train_images, test_images = images[:1500], images[1500:]
train_labels, test_labels = labels[:1500], labels[1500:]

model = keras.Sequential([
    layers.Dense(512, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_images, train_labels, epochs=3, batch_size=128, shuffle=False, verbose=0,
                    validation_split=0.2)
losses = history.history["loss"]
val_accuracy = history.history["val_accuracy"]
kernel = model.layers[0].kernel.numpy()
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
predictions = model.predict(test_images[:10], verbose=0)
predicted = predictions.argmax(axis=1)
keys = sorted(history.history.keys())
print(keys, predictions.shape)
