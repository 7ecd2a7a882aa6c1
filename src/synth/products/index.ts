/** The product kinds `kensa synth` can generate, by name. */
import type { Product } from '../product.js';
import { flange } from './flange.js';
import { metal } from './metal.js';
import { strip } from './strip.js';

export const PRODUCTS: Readonly<Record<string, Product>> = { metal, flange, strip };

export const PRODUCT_KINDS = Object.keys(PRODUCTS);
