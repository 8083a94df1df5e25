import { packageConfig } from '../../tsup.shared';

export default packageConfig({
  index: 'src/index.ts',
  web: 'src/web/index.ts',
  minecraft: 'src/minecraft/index.ts',
  // The Minecraft server runs in a child process forked from this file; startMinecraftServer looks
  // for it beside the minecraft bundle (dist/minecraft-server-process.js).
  'minecraft-server-process': 'src/minecraft/server/server-process.ts',
});
