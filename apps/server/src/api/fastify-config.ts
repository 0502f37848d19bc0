/** Per-route settings the API reads (OpenAPI grouping, authentication). */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** OpenAPI path this route is documented under (routes registered per path depth share one). */
    docPath?: string;
    docDepths?: readonly number[];
    /** No bearer token needed (the OpenAPI document and its page). */
    public?: boolean;
  }
}

export {};
