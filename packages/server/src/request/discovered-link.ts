/** One link of a Discover / Bootstrap-Discover answer: a path and its attributes, as sent. */
export interface DiscoveredLink {
  /** "/3/0/1", "/", or an alternate path such as "/lwm2m". */
  readonly path: string;
  /** Attribute name -> value (`undefined` for a value-less attribute such as `obs`). */
  readonly attributes: Readonly<Record<string, string | undefined>>;
}
