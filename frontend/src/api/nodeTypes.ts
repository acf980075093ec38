/** The node-type catalogue: `GET /api/v1/node-types`, fetched once and cached for the session. */
import { useQuery } from '@tanstack/react-query';

import { buildCatalogue, type Catalogue } from '../canvas/catalogue';
import { GROUP_SPEC } from '../canvas/groups';
import { NOTE_SPEC } from '../canvas/notes';
import { api, unwrap } from './client';
import type { NodeTypeCatalogueResponse } from './types';

export const nodeTypeKeys = { all: ['node-types'] as const };

export const listNodeTypes = () => unwrap(api.GET('/api/v1/node-types'));

const toCatalogue = (wire: NodeTypeCatalogueResponse): Catalogue =>
  buildCatalogue(wire, [NOTE_SPEC, GROUP_SPEC]);

export function useNodeTypes() {
  return useQuery({
    queryKey: nodeTypeKeys.all,
    queryFn: listNodeTypes,
    select: toCatalogue,
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnWindowFocus: false,
  });
}
