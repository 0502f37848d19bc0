/**
 * Attributes written by each server, per path. Effective attributes of a path follow the
 * precedence resource instance > resource > object instance > object, then the server's
 * default pmin/pmax (object 1 resources 2 and 3).
 */
import { LwM2mPath } from '@lwm2m-ts/objects';
import { type AttributeChange, applyChange, type NotificationAttributes } from './notification-attributes';

export class AttributeStore {
  /** serverKey -> path -> attributes set at exactly that level. */
  private readonly byServer = new Map<string, Map<string, NotificationAttributes>>();

  /** Attributes set at exactly `path` by `server`. */
  at(server: string, path: LwM2mPath): NotificationAttributes {
    return this.byServer.get(server)?.get(path.toString()) ?? {};
  }

  /** What the attributes at `path` would be after `change` (nothing stored). */
  preview(server: string, path: LwM2mPath, change: AttributeChange): NotificationAttributes {
    return applyChange(this.at(server, path), change);
  }

  set(server: string, path: LwM2mPath, attrs: NotificationAttributes): void {
    let map = this.byServer.get(server);
    if (!map) {
      map = new Map();
      this.byServer.set(server, map);
    }
    if (Object.keys(attrs).length === 0) map.delete(path.toString());
    else map.set(path.toString(), attrs);
  }

  /** Merged attributes for `path`, most specific level winning, over `defaults`. */
  effective(server: string, path: LwM2mPath, defaults: NotificationAttributes = {}): NotificationAttributes {
    let result: NotificationAttributes = { ...defaults };
    for (let n = 1; n <= path.ids.length; n++) {
      const level = this.byServer.get(server)?.get(LwM2mPath.of(...path.ids.slice(0, n)).toString());
      if (level) result = { ...result, ...level };
    }
    return result;
  }

  /** Forgets attributes at and below `path` (instance deleted) for every server. */
  removeBelow(path: LwM2mPath): void {
    for (const map of this.byServer.values())
      for (const key of [...map.keys()]) if (path.contains(LwM2mPath.parse(key))) map.delete(key);
  }

  /** Forgets everything a server set (its account went away, or bootstrap wiped it). */
  removeServer(server: string): void {
    this.byServer.delete(server);
  }

  clear(): void {
    this.byServer.clear();
  }
}
