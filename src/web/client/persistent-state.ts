/** A viewer preference (overlay on, its opacity) that survives reloads on this PC. */
import { useState } from 'preact/hooks';

export function usePersistentState<T extends boolean | number>(name: string, initial: T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const parsed: unknown = JSON.parse(window.localStorage.getItem(`kensa.${name}`) ?? 'null');
      return typeof parsed === typeof initial ? (parsed as T) : initial;
    } catch {
      return initial;
    }
  });
  const update = (next: T) => {
    window.localStorage.setItem(`kensa.${name}`, JSON.stringify(next));
    setValue(next);
  };
  return [value, update];
}
