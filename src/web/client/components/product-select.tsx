/** The product picker of the pages that show one product at a time (dashboard, review queue). */
import type { Product } from '../api/types.js';

interface ProductSelectProps {
  products: readonly Product[] | null;
  value: string | null;
  onChange(product: string): void;
}

export function ProductSelect({ products, value, onChange }: ProductSelectProps) {
  return (
    <label class="field">
      <span class="field-label">Product</span>
      <select name="product" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value)}>
        {(products ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.id}
          </option>
        ))}
      </select>
    </label>
  );
}
