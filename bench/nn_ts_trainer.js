// Times TensorFlow Playground's own trainer (its src/nn.ts, compiled to CommonJS by whoever runs the
// benchmark; nothing of it is in this repository) on the data the Python benchmark writes, training the
// way playground.ts's oneStep does: every example forward and back, the weights updated every batchSize
// examples. Prints one JSON line: {"steps_per_s": [...], "loss": final mean square error}.
//
//   node bench/nn_ts_trainer.js /path/to/nn.js data.json
"use strict";
const fs = require("fs");
const nn = require(process.argv[2]);
const spec = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const {x, y, hidden, batch, rate, steps, repeats} = spec;       // y in {-1, 1}, as the playground labels

function network() {
  const shape = [x[0].length, ...hidden, 1];
  return nn.buildNetwork(shape, nn.Activations.TANH, nn.Activations.TANH, null, x[0].map((_, i) => "x" + i), false);
}

function train(net, count) {
  // `count` updates of `batch` examples each, walking the data in order as oneStep does
  let i = 0;
  for (let update = 0; update < count; update++) {
    for (let b = 0; b < batch; b++) {
      nn.forwardProp(net, x[i]);
      nn.backProp(net, y[i], nn.Errors.SQUARE);
      i = (i + 1) % x.length;
    }
    nn.updateWeights(net, rate, 0);
  }
}

const net = network();
train(net, 200);                                   // let V8 optimize first, as the page's first frames do
const rates = [];
for (let r = 0; r < repeats; r++) {
  const start = process.hrtime.bigint();
  train(net, steps);
  rates.push(steps / (Number(process.hrtime.bigint() - start) / 1e9));
}
let loss = 0;
for (let i = 0; i < x.length; i++) loss += nn.Errors.SQUARE.error(nn.forwardProp(net, x[i]), y[i]);
console.log(JSON.stringify({steps_per_s: rates, loss: loss / x.length}));
