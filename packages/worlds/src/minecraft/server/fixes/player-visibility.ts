/**
 * Several bots in one world: flying-squid spawns players with entity type `null` (clients read it
 * as type 0, a boat), and its player-list code sends the full list to everyone except the player
 * who just joined, so that player never learns the others' names and cannot match their entities.
 */
import type { SquidPlayer, SquidServer } from '../squid-types';

export function installPlayerVisibility(serv: SquidServer): void {
  const playerType = serv.registry.entitiesByName.player!.id;

  const entry = (p: SquidPlayer) => ({
    uuid: p.uuid,
    player: { name: p.username, properties: p.profileProperties ?? [] },
    gamemode: p.gameMode,
    listed: 1,
    latency: p._client.latency ?? 0,
  });
  const action = { add_player: true, update_game_mode: true, update_listed: true, update_latency: true };

  const sendPlayerList = (joined: SquidPlayer) => {
    // The newcomer gets everyone (itself included); the others get the newcomer.
    const everyone = serv.players.includes(joined) ? serv.players : [...serv.players, joined];
    joined._client.write('player_info', { action, data: everyone.map(entry) });
    joined._writeOthers('player_info', { action, data: [entry(joined)] });
  };

  serv.on('newPlayer', (player: SquidPlayer) => {
    player.entityType = playerType;
    // Dig animations carry a fresh entity id per dig; clients then track a phantom entity for
    // each. The game uses the digging player's own id.
    const writeOthersNearby = player._writeOthersNearby.bind(player);
    player._writeOthersNearby = (name, params) =>
      writeOthersNearby(name, name === 'block_break_animation' ? { ...params, entityId: player.id } : params);
    // flying-squid redefines this server-wide function in every player's login plugin, so the
    // replacement has to be re-installed after each join's plugins ran (newPlayer comes after them).
    serv._sendPlayerList = sendPlayerList;
  });
}
