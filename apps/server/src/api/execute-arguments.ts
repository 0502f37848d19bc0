/** Execute arguments as text (LwM2M Core §5.4.5): `0='on',1,2='x y'`. */
import type { ExecuteArgument } from '@lwm2m-ts/server';
import { HttpError } from './api-errors';

export function parseExecuteArgumentsText(text: string): ExecuteArgument[] {
  const source = text.trim();
  if (source === '') return [];
  const args: ExecuteArgument[] = [];
  const re = /^([0-9])(?:='([^']*)')?(?:,|$)/;
  let rest = source;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) {
      throw HttpError.badRequest(
        `execute arguments "${source}" are malformed at "${rest}": expected digit[='value'] separated by commas`,
      );
    }
    args.push(m[2] !== undefined ? { id: Number(m[1]), value: m[2] } : { id: Number(m[1]) });
    rest = rest.slice(m[0].length);
    if (m[0].endsWith(',') && rest.length === 0) throw HttpError.badRequest('execute arguments end with a comma');
  }
  return args;
}
