import { Text, VisuallyHidden } from '@mantine/core';
import { diffLines } from 'diff';
import classes from './approvals.module.css';

export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2);

interface DiffLine {
  readonly kind: 'added' | 'removed' | 'same';
  readonly text: string;
}

function linesOf(requested: unknown, edited: unknown): DiffLine[] {
  return diffLines(`${prettyJson(requested)}\n`, `${prettyJson(edited)}\n`).flatMap((change) =>
    change.value
      .replace(/\n$/, '')
      .split('\n')
      .map((text) => ({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text }) as const),
  );
}

const marks = { added: '+', removed: '−', same: ' ' } as const;

/**
 * The requested arguments against the edited ones, line by line on the pretty-printed JSON. A
 * change is marked by a sign and by <ins>/<del> (with words for screen readers), not only by its tint.
 */
export function ArgumentsDiff({ requested, edited }: { requested: unknown; edited: unknown }) {
  const lines = linesOf(requested, edited);
  const changes = lines.filter((line) => line.kind !== 'same').length;
  if (changes === 0) return <Text size="sm" c="dimmed">No change from the requested arguments yet.</Text>;
  return (
    <pre className={classes.diff}>
      {lines.map((line, index) => {
        const content = `${marks[line.kind]} ${line.text}`;
        if (line.kind === 'added') return <ins key={index} className={`${classes.diffLine} ${classes.added}`}><VisuallyHidden>added: </VisuallyHidden>{content}</ins>;
        if (line.kind === 'removed') return <del key={index} className={`${classes.diffLine} ${classes.removed}`}><VisuallyHidden>removed: </VisuallyHidden>{content}</del>;
        return <span key={index} className={classes.diffLine}>{content}</span>;
      })}
    </pre>
  );
}
