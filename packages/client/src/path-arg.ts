import { LwM2mPath } from '@lwm2m-ts/objects';

/** "/3303/0/5700" or an LwM2mPath. */
export const parsePathArg = (p: string | LwM2mPath): LwM2mPath => (typeof p === 'string' ? LwM2mPath.parse(p) : p);
