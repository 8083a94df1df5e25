import { packageConfig } from '../../tsup.shared';

export default packageConfig({ cli: 'src/cli.ts' }, { format: ['esm'], dts: false });
