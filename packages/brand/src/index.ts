/**
 * `@camdigikey/brand`: the visual identity shared by the CamDigiKey app, the hosted login pages
 * and the officer console (the mark and its colours, the icon set).
 */
export * from './icons';
export * from './mark';
