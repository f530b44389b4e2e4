/** The pages and their entry points, relative to the package root. */
export declare const pages: Record<string, string>;
/** Bundle options shared by the build and the on-the-fly fallback. */
export declare const pageBuildOptions: Record<string, unknown>;
