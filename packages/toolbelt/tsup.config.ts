import { packageConfig } from '../../tsup.shared';

export default packageConfig({
  index: 'src/index.ts',
  mcp: 'src/mcp/index.ts',
  playwright: 'src/playwright/index.ts',
  mineflayer: 'src/mineflayer/index.ts',
});
