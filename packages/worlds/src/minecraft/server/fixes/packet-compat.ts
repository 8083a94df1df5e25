/**
 * Outgoing packets that flying-squid 1.12 builds in pre-1.21.2 shapes, rewritten for 1.21.4.
 *
 * The worst one: an entity that moves more than 7 blocks in one update makes flying-squid write
 * `entity_teleport` without the fields 1.21.2 added; the encoder throws inside the socket write,
 * which disconnects every player who should have received it. Vanilla sends
 * `sync_entity_position` for such moves, so that is what goes out instead.
 */
import type { SquidClient, SquidServer } from '../squid-types';

/** flying-squid stores look angles as protocol bytes (1/256 of a turn); 1.21.2+ packets take degrees. */
const byteAngleToDegrees = (angle: unknown) => (typeof angle === 'number' ? (angle * 360) / 256 : 0);

type Packet = Record<string, unknown>;

function rewrite(name: string, params: Packet): [string, Packet] {
  switch (name) {
    case 'entity_teleport':
      return [
        'sync_entity_position',
        {
          entityId: params.entityId,
          x: params.x,
          y: params.y,
          z: params.z,
          dx: 0,
          dy: 0,
          dz: 0,
          yaw: byteAngleToDegrees(params.yaw),
          pitch: byteAngleToDegrees(params.pitch),
          onGround: Boolean(params.onGround),
        },
      ];
    case 'position':
      // The self-teleport gained a velocity in 1.21.2; flying-squid leaves it undefined.
      return [name, { dx: 0, dy: 0, dz: 0, ...params }];
    case 'spawn_entity':
      // Look angles are bytes here; a player who never sent a look packet has them undefined.
      return [
        name,
        { ...params, yaw: params.yaw ?? 0, pitch: params.pitch ?? 0, headPitch: params.headPitch ?? 0 },
      ];
    case 'set_slot':
      return [name, { stateId: 0, ...params }];
    default:
      return [name, params];
  }
}

export function installPacketCompat(serv: SquidServer): void {
  serv._server.on('connection', (client: SquidClient) => {
    const write = client.write.bind(client);
    client.write = (name: string, params: Packet) => {
      const [fixedName, fixedParams] = rewrite(name, params);
      write(fixedName, fixedParams);
    };
  });
}
