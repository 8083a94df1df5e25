/** Shared reward logic of the order-placing families (checkout, site conventions, procedures). */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import type { CartLine, PlacedOrder, ShippingDetails } from '../../site/episode-state';
import type { VerdictInput } from '../web-task';

export interface ExpectedOrder {
  lines: CartLine[];
  /** Shipping fields that must match (others are whatever the saved profile holds). */
  shipping: Partial<ShippingDetails>;
  /** When true, a rejected order or a wrong checkout button before success halves the score. */
  firstTry?: boolean;
}

function sameLines(a: CartLine[], b: CartLine[]): boolean {
  if (a.length !== b.length) return false;
  return b.every((line) => a.some((l) => l.productId === line.productId && l.quantity === line.quantity));
}

export function orderOf(input: VerdictInput): PlacedOrder | undefined {
  return input.state.orders.find((o) => o.siteKey === input.task.params.site);
}

export function orderVerdict(input: VerdictInput): EpisodeVerdict {
  const expected = input.task.params.expected as unknown as ExpectedOrder;
  const order = orderOf(input);
  if (!order) {
    const cart = input.state.carts.get(input.task.params.site) ?? [];
    const inCart = sameLines(cart, expected.lines);
    return {
      success: false,
      score: inCart && !input.task.params.setup.cart ? 0.1 : 0,
      detail: 'no order placed',
    };
  }
  const linesRight = sameLines(order.lines, expected.lines);
  const fields = Object.entries(expected.shipping) as [keyof ShippingDetails, string][];
  const fieldsRight = fields.filter(
    ([k, v]) => order.shipping[k].trim().toLowerCase() === v.trim().toLowerCase(),
  ).length;
  const extrasRight = order.extras.length === 0;
  const parts = [
    linesRight,
    extrasRight,
    ...fields.map(([k, v]) => order.shipping[k].trim().toLowerCase() === v.trim().toLowerCase()),
  ];
  let score = parts.filter(Boolean).length / parts.length;
  const success = linesRight && extrasRight && fieldsRight === fields.length;
  let detail = `order ${order.number}: items ${linesRight ? 'right' : 'wrong'}, ${fieldsRight}/${fields.length} shipping fields right${extrasRight ? '' : ', unwanted extras'}`;
  if (expected.firstTry) {
    const mistakes = input.state.events.filter(
      (e) => e.kind === 'order-rejected' || (e.kind === 'checkout-effect' && e.detail !== 'verify'),
    ).length;
    if (mistakes > 0) {
      score *= 0.5;
      detail += `, after ${mistakes} wrong attempt(s)`;
    }
  }
  return { success, score, detail };
}

export function orderPlaced(input: VerdictInput): boolean {
  return orderOf(input) !== undefined;
}
