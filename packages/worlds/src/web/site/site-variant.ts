/**
 * Site variants: the task site is one web app served under many brands. A variant fixes the
 * brand and the site's conventions: which checkout button really places the order, what the cart
 * is called and where its link lives, how form fields are labelled, and which steps the store
 * requires before it accepts an order.
 *
 * Two kinds:
 * - `known` variants (a fixed pool of six brands) carry quirks that differ per brand and that no
 *   goal sentence mentions: the same label ("Proceed") confirms the order on one brand and only
 *   recalculates shipping on another. The brand is in every page header, so a policy can learn
 *   "on Northwind the order is placed with Proceed" from experience. Families that need experience
 *   use these, in both the train and the held-out split (the knowledge is per brand).
 * - `generated` variants (any `shop-<n>` key) are plain stores whose labels and layout vary by
 *   seed: a checkout with one obvious confirm button and no hidden prerequisites. Families solvable
 *   from the goal text use them, with disjoint seed ranges for train and held-out tasks, so an agent
 *   meets sites it has never seen.
 */
import { hashSeed, Rng } from './rng';

/** What a checkout button does when pressed. */
export type CheckoutEffect = 'confirm' | 'quote' | 'save' | 'recalculate' | 'continue-shopping';

/** A step a store requires before it accepts an order. */
export type Prerequisite = 'sign-in' | 'accept-terms' | 'verify-address';

export type CheckoutField = 'name' | 'email' | 'address' | 'city' | 'country';
export type SupportField = 'name' | 'email' | 'topic' | 'subject' | 'orderNumber' | 'message' | 'urgent';

export interface SiteConventions {
  /** Checkout buttons in their default order; exactly one has the effect `confirm`. */
  checkoutButtons: { label: string; effect: CheckoutEffect }[];
  /** Text of the link to the cart. */
  cartLabel: string;
  /** Where the cart link lives: the header, the account page, or the footer. */
  cartPlacement: 'header' | 'account' | 'footer';
  /** Other links placed beside the cart link (plausible but wrong for "go to the cart"). */
  cartDecoys: string[];
  checkoutLabels: Record<CheckoutField, string>;
  checkoutOrder: CheckoutField[];
  supportLabels: Record<SupportField, string>;
  /** Steps the store checks server-side before it accepts an order. */
  prerequisites: Prerequisite[];
  termsLabel: string;
  /** The text of the quick sign-in button (a saved customer account). */
  signInLabel: string;
}

export interface SiteVariant {
  /** URL path segment: `/<key>/...`. */
  key: string;
  brand: string;
  tagline: string;
  kind: 'known' | 'generated';
  /** Accent colour of the header, for screenshots. */
  accent: string;
  conventions: SiteConventions;
}

const PLAIN_CHECKOUT_LABELS: Record<CheckoutField, string> = {
  name: 'Full name',
  email: 'Email',
  address: 'Street address',
  city: 'City',
  country: 'Country',
};

const PLAIN_SUPPORT_LABELS: Record<SupportField, string> = {
  name: 'Your name',
  email: 'Email',
  topic: 'Topic',
  subject: 'Subject',
  orderNumber: 'Order number',
  message: 'Message',
  urgent: 'This is urgent',
};

function known(
  key: string,
  brand: string,
  tagline: string,
  accent: string,
  conventions: Omit<SiteConventions, 'checkoutLabels' | 'checkoutOrder' | 'supportLabels'> &
    Partial<Pick<SiteConventions, 'checkoutLabels' | 'checkoutOrder' | 'supportLabels'>>,
): SiteVariant {
  return {
    key,
    brand,
    tagline,
    kind: 'known',
    accent,
    conventions: {
      checkoutLabels: PLAIN_CHECKOUT_LABELS,
      checkoutOrder: ['name', 'email', 'address', 'city', 'country'],
      supportLabels: PLAIN_SUPPORT_LABELS,
      ...conventions,
    },
  };
}

/**
 * The fixed pool of brands with quirks. The confirm labels all come from one small set of
 * ambiguous words, and each word means something different on another brand: only the brand tells
 * which button places the order.
 */
export const KNOWN_SITES: readonly SiteVariant[] = [
  known('northwind', 'Northwind Outfitters', 'Gear for every trail', '#1d4e89', {
    checkoutButtons: [
      { label: 'Continue', effect: 'continue-shopping' },
      { label: 'Proceed', effect: 'confirm' },
      { label: 'Save', effect: 'save' },
    ],
    cartLabel: 'Basket',
    cartPlacement: 'header',
    cartDecoys: ['Wishlist', 'Compare'],
    prerequisites: ['accept-terms'],
    termsLabel: 'I accept the conditions of sale',
    signInLabel: 'Sign in as saved customer',
  }),
  known('bluebird', 'Bluebird Books', 'Stories delivered', '#2a7ab0', {
    checkoutButtons: [
      { label: 'Proceed', effect: 'recalculate' },
      { label: 'Continue', effect: 'confirm' },
      { label: 'Submit', effect: 'quote' },
    ],
    cartLabel: 'Bag',
    cartPlacement: 'account',
    cartDecoys: ['Favourites', 'Order history'],
    prerequisites: ['sign-in'],
    termsLabel: 'I agree to the store terms',
    signInLabel: 'Use my saved account',
  }),
  known('cedar', 'Cedar & Co', 'Crafted for home', '#6b4f2a', {
    checkoutButtons: [
      { label: 'Submit', effect: 'confirm' },
      { label: 'Confirm', effect: 'quote' },
      { label: 'Continue', effect: 'continue-shopping' },
    ],
    cartLabel: 'Cart',
    cartPlacement: 'footer',
    cartDecoys: ['Saved items', 'Gift cards'],
    prerequisites: ['verify-address'],
    termsLabel: 'I have read the terms',
    signInLabel: 'Sign in',
  }),
  known('pixel', 'Pixel Parts', 'Components and kits', '#3c3c8c', {
    checkoutButtons: [
      { label: 'Confirm', effect: 'save' },
      { label: 'Done', effect: 'confirm' },
      { label: 'Proceed', effect: 'recalculate' },
    ],
    cartLabel: 'Trolley',
    cartPlacement: 'header',
    cartDecoys: ['Compare', 'Build list'],
    prerequisites: ['sign-in', 'accept-terms'],
    termsLabel: 'Accept terms and warranty rules',
    signInLabel: 'Log in with saved profile',
  }),
  known('harbor', 'Harbor Home', 'Coastal living', '#2f6f6a', {
    checkoutButtons: [
      { label: 'Done', effect: 'continue-shopping' },
      { label: 'Submit', effect: 'save' },
      { label: 'Confirm', effect: 'confirm' },
    ],
    cartLabel: 'Basket',
    cartPlacement: 'account',
    cartDecoys: ['Wishlist', 'Returns'],
    prerequisites: ['verify-address', 'accept-terms'],
    termsLabel: 'I accept the delivery terms',
    signInLabel: 'Sign in',
  }),
  known('meadow', 'Meadow Market', 'Fresh from the field', '#4d7c2a', {
    checkoutButtons: [
      { label: 'Continue', effect: 'recalculate' },
      { label: 'Done', effect: 'quote' },
      { label: 'Proceed', effect: 'confirm' },
    ],
    cartLabel: 'Bag',
    cartPlacement: 'footer',
    cartDecoys: ['Favourites', 'Recipes'],
    prerequisites: ['accept-terms'],
    termsLabel: 'I agree to the market rules',
    signInLabel: 'Sign in',
  }),
];

const BRAND_FIRST = [
  'Lumen',
  'Oak Street',
  'Granite',
  'Copper',
  'Silver Birch',
  'Fjord',
  'Marigold',
  'Redwood',
  'Tidewater',
  'Larkspur',
  'Ironbark',
  'Saffron',
  'Driftwood',
  'Hazel',
  'Starling',
  'Bramble',
];
const BRAND_SECOND = ['Goods', 'Supply', 'Trading', 'Emporium', 'Store', 'Depot', 'Outlet', 'Works'];
const TAGLINES = [
  'Everyday essentials',
  'Quality you can trust',
  'Since 1998',
  'Free returns',
  'Built to last',
];
const ACCENTS = ['#7a2e2e', '#2e5e7a', '#5e2e7a', '#2e7a4a', '#7a622e', '#444444'];

const LABEL_POOLS: { [K in CheckoutField]: string[] } = {
  name: ['Full name', 'Name', 'Recipient name', 'Your name'],
  email: ['Email', 'E-mail', 'Email address', 'Contact email'],
  address: ['Street address', 'Address', 'Street and number', 'Delivery address'],
  city: ['City', 'Town', 'Town or city', 'City name'],
  country: ['Country', 'Country or region', 'Ship to country', 'Destination country'],
};
const SUPPORT_POOLS: { [K in SupportField]: string[] } = {
  name: ['Your name', 'Name', 'Full name'],
  email: ['Email', 'Reply-to email', 'Your email address'],
  topic: ['Topic', 'Category', 'What is it about?'],
  subject: ['Subject', 'Title', 'Summary'],
  orderNumber: ['Order number', 'Order reference', 'Order ID'],
  message: ['Message', 'Your message', 'How can we help?'],
  urgent: ['This is urgent', 'Mark as urgent', 'Urgent request'],
};
const CONFIRM_LABELS = ['Place order', 'Buy now', 'Complete purchase', 'Pay now', 'Confirm order'];

/** The key of the generated variant with this number (`shop-<n>`). */
export function generatedSiteKey(n: number): string {
  return `shop-${n}`;
}

/** A plain store whose brand, labels and layout are a pure function of `n`. */
export function generateSiteVariant(n: number): SiteVariant {
  const rng = new Rng(hashSeed('site', n));
  const checkoutLabels = {} as Record<CheckoutField, string>;
  for (const field of Object.keys(LABEL_POOLS) as CheckoutField[]) {
    checkoutLabels[field] = rng.pick(LABEL_POOLS[field]);
  }
  const supportLabels = {} as Record<SupportField, string>;
  for (const field of Object.keys(SUPPORT_POOLS) as SupportField[]) {
    supportLabels[field] = rng.pick(SUPPORT_POOLS[field]);
  }
  // Name and email first (as on nearly every real form); the rest in a seeded order.
  const rest = rng.shuffle<CheckoutField>(['address', 'city', 'country']);
  return {
    key: generatedSiteKey(n),
    brand: `${rng.pick(BRAND_FIRST)} ${rng.pick(BRAND_SECOND)}`,
    tagline: rng.pick(TAGLINES),
    kind: 'generated',
    accent: rng.pick(ACCENTS),
    conventions: {
      checkoutButtons: [{ label: rng.pick(CONFIRM_LABELS), effect: 'confirm' }],
      cartLabel: 'Cart',
      cartPlacement: 'header',
      cartDecoys: [],
      checkoutLabels,
      checkoutOrder: ['name', 'email', ...rest],
      supportLabels,
      prerequisites: [],
      termsLabel: 'I accept the terms',
      signInLabel: 'Sign in',
    },
  };
}

/** Resolves a URL key to its variant, or undefined for an unknown key. */
export function siteVariantByKey(key: string): SiteVariant | undefined {
  const found = KNOWN_SITES.find((s) => s.key === key);
  if (found) return found;
  const match = /^shop-(\d{1,6})$/.exec(key);
  return match ? generateSiteVariant(Number(match[1])) : undefined;
}

/** The label of the button that really places the order on this variant. */
export function confirmLabelOf(site: SiteVariant): string {
  const button = site.conventions.checkoutButtons.find((b) => b.effect === 'confirm');
  if (!button) throw new Error(`site ${site.key} has no confirm button`);
  return button.label;
}
