import { packageConfig } from '../../tsup.shared';

export default packageConfig({
  index: 'src/index.ts',
  web: 'src/web/index.ts',
  minecraft: 'src/minecraft/index.ts',
});
