import { packageConfig } from '../../tsup.shared';

export default packageConfig({
  index: 'src/index.ts',
  native: 'src/native/index.ts',
  quant: 'src/quant/index.ts',
  'quant-cli': 'src/quant/quant-cli.ts',
});
