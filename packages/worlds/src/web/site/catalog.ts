/**
 * Product catalogs: a pure function of (site key, catalog seed). Each catalog has a few
 * categories of ordinary products plus two families of look-alikes used by the distractor tasks:
 * near-duplicate names (`Aurora Lamp`, `Aurora Lamp Mini`, ...) and colour variants of one name.
 */
import { hashSeed, Rng } from './rng';

export interface Product {
  /** Short URL id (`p7`). */
  id: string;
  name: string;
  category: string;
  /** Price in cents (integers keep verdicts exact). */
  priceCents: number;
  color: string;
  sku: string;
  stock: number;
  description: string;
  /** Size chart rows shown on the size guide (opened in a new tab). */
  sizes: { size: string; chestCm: number; lengthCm: number }[];
  /** Code shown on the product's warranty page (opened in a new tab). */
  warrantyCode: string;
}

export interface Catalog {
  categories: { slug: string; name: string }[];
  products: Product[];
  /** Near-duplicate names: `base` plus three variants whose names contain it. */
  nearDuplicates: { base: string; variants: string[] };
  /** One name in two colours (`Orbit Speaker - Red` and `Orbit Speaker - Blue`). */
  colorFamily: { base: string; colors: [string, string] };
  /** Products featured on the home page. */
  featured: string[];
}

const CATEGORY_NOUNS: Record<string, string[]> = {
  Kitchen: ['Kettle', 'Mug', 'Skillet', 'Toaster', 'Grinder', 'Teapot'],
  Outdoor: ['Tent', 'Backpack', 'Lantern', 'Bottle', 'Hammock', 'Jacket'],
  Office: ['Desk Lamp', 'Notebook', 'Chair', 'Monitor Stand', 'Pen Set', 'Organizer'],
  Audio: ['Headphones', 'Speaker', 'Radio', 'Turntable', 'Earbuds', 'Amplifier'],
  Home: ['Rug', 'Pillow', 'Vase', 'Clock', 'Blanket', 'Mirror'],
  Garden: ['Planter', 'Trowel', 'Hose', 'Bench', 'Bird Feeder', 'Shears'],
};
const ADJECTIVES = [
  'Aurora',
  'Cedar',
  'Nimbus',
  'Polar',
  'Ember',
  'Willow',
  'Cobalt',
  'Juniper',
  'Summit',
  'Maple',
  'Orbit',
  'Quartz',
  'Sierra',
  'Tundra',
  'Velvet',
  'Zephyr',
  'Atlas',
  'Breeze',
  'Comet',
  'Falcon',
  'Granite',
  'Lotus',
  'Nova',
  'Pebble',
];
const COLORS = ['black', 'white', 'red', 'blue', 'green', 'grey', 'yellow', 'orange', 'navy', 'teal'];
const VARIANT_SUFFIXES = ['Mini', 'Pro', '(refurbished)', 'XL', 'Lite'];
const DESCRIPTIONS = [
  'A dependable everyday pick with a two-year warranty.',
  'Designed in our studio and tested for daily use.',
  'Lightweight, easy to clean and built to last.',
  'A customer favourite, restocked every week.',
  'Made from recycled materials where possible.',
];

function cents(rng: Rng): number {
  const dollars = rng.int(4, 240);
  return dollars * 100 + rng.pick([0, 50, 99]);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateCatalog(siteKey: string, catalogSeed: number): Catalog {
  const rng = new Rng(hashSeed('catalog', siteKey, catalogSeed));
  const categoryNames = rng.sample(Object.keys(CATEGORY_NOUNS), 4);
  const adjectives = rng.shuffle(ADJECTIVES);
  const usedNames = new Set<string>();
  const products: Product[] = [];
  const prefix = siteKey
    .replace(/[^a-z]/g, '')
    .slice(0, 2)
    .toUpperCase()
    .padEnd(2, 'X');

  const add = (name: string, category: string, color: string, priceCents = cents(rng)) => {
    usedNames.add(name);
    const id = `p${products.length + 1}`;
    const base = rng.int(86, 96);
    products.push({
      id,
      name,
      category,
      priceCents,
      color,
      sku: `${prefix}-${rng.int(1000, 9999)}`,
      stock: rng.int(0, 40),
      description: rng.pick(DESCRIPTIONS),
      sizes: ['S', 'M', 'L', 'XL'].map((size, i) => ({
        size,
        chestCm: base + i * 6 + rng.int(0, 2),
        lengthCm: 66 + i * 3 + rng.int(0, 2),
      })),
      warrantyCode: `W${rng.int(10, 99)}-${rng.int(1000, 9999)}`,
    });
    return id;
  };

  let adjectiveIndex = 0;
  const nextAdjective = () => adjectives[adjectiveIndex++ % adjectives.length] as string;
  for (const category of categoryNames) {
    const nouns = rng.sample(CATEGORY_NOUNS[category] as string[], 5);
    for (const noun of nouns) {
      let name = `${nextAdjective()} ${noun}`;
      while (usedNames.has(name)) name = `${nextAdjective()} ${noun}`;
      add(name, category, rng.pick(COLORS));
    }
  }

  // Look-alike families live in the first two categories, so they appear in listings too.
  const dupCategory = categoryNames[0] as string;
  const dupBase = `${nextAdjective()} ${rng.pick(CATEGORY_NOUNS[dupCategory] as string[])}`;
  const suffixes = rng.sample(VARIANT_SUFFIXES, 3);
  add(dupBase, dupCategory, rng.pick(COLORS));
  const variants = suffixes.map((s) => `${dupBase} ${s}`);
  for (const v of variants) add(v, dupCategory, rng.pick(COLORS));

  const colorCategory = categoryNames[1] as string;
  const colorBase = `${nextAdjective()} ${rng.pick(CATEGORY_NOUNS[colorCategory] as string[])}`;
  const colors = rng.sample(['red', 'blue', 'green', 'black', 'white'], 2) as [string, string];
  for (const c of colors) add(`${colorBase} - ${capitalize(c)}`, colorCategory, c);

  const ordinary = products.slice(0, 20);
  return {
    categories: categoryNames.map((name) => ({ slug: slug(name), name })),
    products,
    nearDuplicates: { base: dupBase, variants },
    colorFamily: { base: colorBase, colors },
    featured: rng.sample(ordinary, 4).map((p) => p.id),
  };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatPrice(priceCents: number): string {
  return `$${(priceCents / 100).toFixed(2)}`;
}

export function findProductByName(catalog: Catalog, name: string): Product | undefined {
  return catalog.products.find((p) => p.name === name);
}

export function categorySlug(name: string): string {
  return slug(name);
}
