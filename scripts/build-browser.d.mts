/** The pages and their entry points, relative to the package root. */
export declare const pages: Record<string, string>;
