import htm from 'htm';
import { h } from 'preact';

/** Tagged-template JSX for Preact without a JSX build step (the repo's tsconfig has no JSX). */
export const html = htm.bind(h);
