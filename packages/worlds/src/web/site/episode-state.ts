/**
 * Server-side state of one episode (one browser context, identified by a cookie). Rewards are
 * verified from this state: an order placed with the right fields, a ticket received, a page
 * visited; never guessed from what the page showed.
 */

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface ShippingDetails {
  name: string;
  email: string;
  address: string;
  city: string;
  country: string;
}

export interface PlacedOrder {
  number: string;
  siteKey: string;
  lines: CartLine[];
  shipping: ShippingDetails;
  extras: string[];
  signedIn: boolean;
}

export interface SupportTicket {
  number: string;
  siteKey: string;
  fields: Record<string, string>;
  /** The signed-in user when the ticket was sent, if any. */
  user?: string;
}

/** One thing that happened, in order: the record verdicts and debugging read. */
export interface SiteEvent {
  kind:
    | 'visit'
    | 'cart-add'
    | 'cart-update'
    | 'checkout-effect'
    | 'order-rejected'
    | 'order-placed'
    | 'ticket'
    | 'ticket-rejected'
    | 'sign-in'
    | 'sign-in-failed'
    | 'warranty-registered'
    | 'validation-failed';
  path: string;
  detail?: string;
}

export interface EpisodeState {
  id: string;
  /** Which catalog every site shows in this episode. */
  catalogSeed: number;
  carts: Map<string, CartLine[]>;
  /** Shipping details the checkout form starts with (a returning customer's saved profile). */
  profile?: Partial<ShippingDetails>;
  /** Prerequisites already satisfied at the start (so a family can test one skill at a time). */
  presatisfied: Set<string>;
  signedIn: string | undefined;
  termsAccepted: Set<string>;
  addressVerified: Set<string>;
  orders: PlacedOrder[];
  tickets: SupportTicket[];
  warrantyRegistrations: { siteKey: string; productId: string; code: string }[];
  events: SiteEvent[];
}

export interface EpisodeSetup {
  catalogSeed?: number;
  /** Items already in the cart of a site when the episode starts. */
  cart?: { siteKey: string; lines: CartLine[] };
  profile?: Partial<ShippingDetails>;
  /** Prerequisites that count as done from the start (`sign-in`, `accept-terms`, `verify-address`). */
  presatisfied?: string[];
}

export function createEpisodeState(id: string, setup: EpisodeSetup = {}): EpisodeState {
  const state: EpisodeState = {
    id,
    catalogSeed: setup.catalogSeed ?? 0,
    carts: new Map(),
    presatisfied: new Set(setup.presatisfied ?? []),
    signedIn: undefined,
    termsAccepted: new Set(),
    addressVerified: new Set(),
    orders: [],
    tickets: [],
    warrantyRegistrations: [],
    events: [],
  };
  if (setup.profile) state.profile = setup.profile;
  if (setup.cart)
    state.carts.set(
      setup.cart.siteKey,
      setup.cart.lines.map((l) => ({ ...l })),
    );
  if (state.presatisfied.has('sign-in')) state.signedIn = 'ann';
  return state;
}

export function cartOf(state: EpisodeState, siteKey: string): CartLine[] {
  let cart = state.carts.get(siteKey);
  if (!cart) {
    cart = [];
    state.carts.set(siteKey, cart);
  }
  return cart;
}
