// Entry of the `chimera-quantize` binary (bin/chimera-quantize.mjs loads the built dist/quant-cli).
import { runQuantizeCli } from './cli';

void runQuantizeCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
