/**
 * Typed responses: a response code (protocol failure is data), an optional diagnostic text, and
 * the typed content of a success. `isSuccess()` is code class 2.
 */
import type { LwM2mNode } from '@lwm2m-ts/objects';
import { isSuccessResponseCode, ResponseCode } from '../core/response-code';
import type { ObservationInfo } from '../observation/observation';
import type { DiscoveredLink } from './discovered-link';

export abstract class LwM2mResponse {
  constructor(
    readonly code: ResponseCode,
    /** Diagnostic payload of an error response, if the client sent one. */
    readonly diagnostic?: string,
  ) {}
  isSuccess(): boolean {
    return isSuccessResponseCode(this.code);
  }
  isFailure(): boolean {
    return !this.isSuccess();
  }
}

type Ctor<R> = new (code: ResponseCode, diagnostic?: string) => R;
/** Failure factories shared by every response class. */
function failures<R>(cls: Ctor<R>) {
  return {
    of: (code: ResponseCode, diagnostic?: string) => new cls(code, diagnostic),
    badRequest: (diagnostic?: string) => new cls(ResponseCode.BAD_REQUEST, diagnostic),
    unauthorized: (diagnostic?: string) => new cls(ResponseCode.UNAUTHORIZED, diagnostic),
    notFound: (diagnostic?: string) => new cls(ResponseCode.NOT_FOUND, diagnostic),
    methodNotAllowed: (diagnostic?: string) => new cls(ResponseCode.METHOD_NOT_ALLOWED, diagnostic),
    notAcceptable: (diagnostic?: string) => new cls(ResponseCode.NOT_ACCEPTABLE, diagnostic),
    unsupportedContentFormat: (diagnostic?: string) => new cls(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, diagnostic),
    internalServerError: (diagnostic?: string) => new cls(ResponseCode.INTERNAL_SERVER_ERROR, diagnostic),
  };
}

export class ReadResponse extends LwM2mResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    readonly content?: LwM2mNode,
  ) {
    super(code, diagnostic);
  }
  static success(content: LwM2mNode) {
    return new ReadResponse(ResponseCode.CONTENT, undefined, content);
  }
  static readonly of = failures(ReadResponse).of;
  static readonly notFound = failures(ReadResponse).notFound;
  static readonly badRequest = failures(ReadResponse).badRequest;
  static readonly unauthorized = failures(ReadResponse).unauthorized;
  static readonly methodNotAllowed = failures(ReadResponse).methodNotAllowed;
  static readonly notAcceptable = failures(ReadResponse).notAcceptable;
  static readonly internalServerError = failures(ReadResponse).internalServerError;
}

/** Responses that carry no content: Write, Execute, Delete, Write-Attributes, Write-Composite, Bootstrap-*. */
function simpleResponse(successCode: ResponseCode) {
  return class extends LwM2mResponse {
    static success() {
      return new this(successCode);
    }
    static readonly of = (code: ResponseCode, diagnostic?: string) => new this(code, diagnostic);
    static readonly badRequest = (diagnostic?: string) => new this(ResponseCode.BAD_REQUEST, diagnostic);
    static readonly unauthorized = (diagnostic?: string) => new this(ResponseCode.UNAUTHORIZED, diagnostic);
    static readonly notFound = (diagnostic?: string) => new this(ResponseCode.NOT_FOUND, diagnostic);
    static readonly methodNotAllowed = (diagnostic?: string) => new this(ResponseCode.METHOD_NOT_ALLOWED, diagnostic);
    static readonly internalServerError = (diagnostic?: string) =>
      new this(ResponseCode.INTERNAL_SERVER_ERROR, diagnostic);
  };
}

export class WriteResponse extends simpleResponse(ResponseCode.CHANGED) {}
export class ExecuteResponse extends simpleResponse(ResponseCode.CHANGED) {}
export class DeleteResponse extends simpleResponse(ResponseCode.DELETED) {}
export class WriteAttributesResponse extends simpleResponse(ResponseCode.CHANGED) {}
export class WriteCompositeResponse extends simpleResponse(ResponseCode.CHANGED) {}
export class CancelObservationResponse extends simpleResponse(ResponseCode.CONTENT) {}
export class BootstrapDeleteResponse extends simpleResponse(ResponseCode.DELETED) {}
export class BootstrapWriteResponse extends simpleResponse(ResponseCode.CHANGED) {}
export class BootstrapFinishResponse extends simpleResponse(ResponseCode.CHANGED) {}

export class CreateResponse extends LwM2mResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    /** Location of the created instance ("/3303/1"), when the client returned one. */
    readonly location?: string,
  ) {
    super(code, diagnostic);
  }
  static success(location?: string) {
    return new CreateResponse(ResponseCode.CREATED, undefined, location);
  }
  static readonly of = failures(CreateResponse).of;
  static readonly badRequest = failures(CreateResponse).badRequest;
  static readonly notFound = failures(CreateResponse).notFound;
  static readonly methodNotAllowed = failures(CreateResponse).methodNotAllowed;
}

export class DiscoverResponse extends LwM2mResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    readonly links: readonly DiscoveredLink[] = [],
  ) {
    super(code, diagnostic);
  }
  static success(links: readonly DiscoveredLink[]) {
    return new DiscoverResponse(ResponseCode.CONTENT, undefined, links);
  }
  static readonly of = failures(DiscoverResponse).of;
  static readonly notFound = failures(DiscoverResponse).notFound;
  static readonly badRequest = failures(DiscoverResponse).badRequest;
}
export class BootstrapDiscoverResponse extends DiscoverResponse {
  static override success(links: readonly DiscoveredLink[]) {
    return new BootstrapDiscoverResponse(ResponseCode.CONTENT, undefined, links);
  }
}

export class ReadCompositeResponse extends LwM2mResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    /** Path text ("/3/0/1") -> node. */
    readonly content: ReadonlyMap<string, LwM2mNode> = new Map(),
  ) {
    super(code, diagnostic);
  }
  static success(content: ReadonlyMap<string, LwM2mNode>) {
    return new ReadCompositeResponse(ResponseCode.CONTENT, undefined, content);
  }
  static readonly of = failures(ReadCompositeResponse).of;
  static readonly badRequest = failures(ReadCompositeResponse).badRequest;
  static readonly notFound = failures(ReadCompositeResponse).notFound;
}

export class BootstrapReadResponse extends ReadResponse {
  static override success(content: LwM2mNode) {
    return new BootstrapReadResponse(ResponseCode.CONTENT, undefined, content);
  }
}

/** The first response of an Observe: the current value, and the observation when it was established. */
export class ObserveResponse extends ReadResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    content?: LwM2mNode,
    readonly observation?: ObservationInfo,
  ) {
    super(code, diagnostic, content);
  }
  static established(content: LwM2mNode, observation: ObservationInfo) {
    return new ObserveResponse(ResponseCode.CONTENT, undefined, content, observation);
  }
  static override of(code: ResponseCode, diagnostic?: string) {
    return new ObserveResponse(code, diagnostic);
  }
}

export class ObserveCompositeResponse extends ReadCompositeResponse {
  constructor(
    code: ResponseCode,
    diagnostic?: string,
    content: ReadonlyMap<string, LwM2mNode> = new Map(),
    readonly observation?: ObservationInfo,
  ) {
    super(code, diagnostic, content);
  }
  static established(content: ReadonlyMap<string, LwM2mNode>, observation: ObservationInfo) {
    return new ObserveCompositeResponse(ResponseCode.CONTENT, undefined, content, observation);
  }
  static override of(code: ResponseCode, diagnostic?: string) {
    return new ObserveCompositeResponse(code, diagnostic);
  }
}

/** The response type each request kind resolves to. */
export interface ResponseByKind {
  read: ReadResponse;
  write: WriteResponse;
  execute: ExecuteResponse;
  create: CreateResponse;
  delete: DeleteResponse;
  discover: DiscoverResponse;
  'write-attributes': WriteAttributesResponse;
  'read-composite': ReadCompositeResponse;
  'write-composite': WriteCompositeResponse;
  observe: ObserveResponse;
  'observe-composite': ObserveCompositeResponse;
  'cancel-observation': CancelObservationResponse;
  'bootstrap-delete': BootstrapDeleteResponse;
  'bootstrap-write': BootstrapWriteResponse;
  'bootstrap-discover': BootstrapDiscoverResponse;
  'bootstrap-read': BootstrapReadResponse;
  'bootstrap-finish': BootstrapFinishResponse;
}
export type AnyResponse = ResponseByKind[keyof ResponseByKind];
