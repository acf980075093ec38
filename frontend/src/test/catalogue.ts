/** The engine's real catalogue (graph_engine.catalogue() + compatibility_table()), as a test fixture. */
import type { NodeTypeCatalogueResponse } from '../api/types';
import { buildCatalogue } from '../canvas/catalogue';
import { NOTE_SPEC } from '../canvas/notes';
import raw from './catalogue.fixture.json';

export const wireCatalogue = raw as unknown as NodeTypeCatalogueResponse;
export const catalogue = buildCatalogue(wireCatalogue, [NOTE_SPEC]);
