import type { ObjectModel, ResourceModel } from '../model/types';
import type { LwM2mPath } from '../path/lwm2m-path';

/** "resource /3/0/13 (Current Time)", "object instance /3/0 (Device)": the start of every message. */
export function describeTarget(path: LwM2mPath, object: ObjectModel, resource?: ResourceModel): string {
  const level = path.level.replace('-', ' ');
  return `${level} ${path} (${resource?.name ?? object.name})`;
}
