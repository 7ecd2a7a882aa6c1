/** Vite bundles the stylesheets the UI imports; such an import has no value. */
declare module '*.css';
