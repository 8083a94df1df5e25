import { packageConfig } from '../../tsup.shared';

export default packageConfig({
  index: 'src/index.ts',
  postgres: 'src/stores/postgres/index.ts',
});
