/** The list of keyboard shortcuts, as a modal dialog (opened with "?", closed with Escape). */
import { useEffect, useRef } from 'preact/hooks';
import { VERDICTS } from '../verdicts.js';

const GROUPS: { title: string; keys: [string, string][] }[] = [
  {
    title: 'Anywhere',
    keys: [
      ['g i', 'Inspections'],
      ['g d', 'Dashboard'],
      ['g m', 'Models'],
      ['?', 'This help'],
    ],
  },
  {
    title: 'Inspections list',
    keys: [
      ['j / ↓', 'Next row'],
      ['k / ↑', 'Previous row'],
      ['Enter', 'Open the inspection'],
      ['n / p', 'Older / newer page'],
      ['r', 'Refresh'],
    ],
  },
  {
    title: 'Inspection',
    keys: [
      ...VERDICTS.map((choice): [string, string] => [choice.key, `Verdict: ${choice.label}`]),
      ['n', 'Write a note (Escape leaves it)'],
      ['j / →', 'Next in the queue'],
      ['k / ←', 'Previous in the queue'],
      ['h', 'Heatmap on / off'],
      ['[ / ]', 'Heatmap opacity − / +'],
      ['o', 'Region outlines on / off'],
      ['u', 'Back to the list'],
      ['a', 'Add to the good set (a part reviewed as good)'],
    ],
  },
  {
    title: 'Models and training',
    keys: [
      ['r', 'Retrain (on Models)'],
      ['f', 'Choose images (on Retrain)'],
      ['c', 'Version: comparison'],
      ['s', 'Version: shadow mode'],
      ['t', 'Version: threshold'],
      ['u', 'Back to Models'],
    ],
  },
];

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} class="shortcut-help" aria-labelledby="shortcut-help-title" onClose={onClose}>
      <header class="dialog-header">
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <button type="button" class="button button-quiet" onClick={onClose}>
          Close
        </button>
      </header>
      <div class="shortcut-groups">
        {GROUPS.map((group) => (
          <section key={group.title}>
            <h3>{group.title}</h3>
            <dl>
              {group.keys.map(([keys, action]) => (
                <div class="shortcut" key={keys}>
                  <dt>
                    {keys.split(' ').map((key, i) => (key === '/' ? <span key={i}> or </span> : <kbd key={i}>{key}</kbd>))}
                  </dt>
                  <dd>{action}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </dialog>
  );
}
