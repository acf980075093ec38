/** Wire types, named once, taken from the generated schema by operation id. */
import type { operations } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

export type WorkflowPage = JsonOf<operations['listWorkflows']['responses'][200]>;
export type WorkflowSummary = WorkflowPage['items'][number];
export type Workflow = JsonOf<operations['getWorkflow']['responses'][200]>;
export type WorkflowDocument = Workflow['document'];
export type DocumentNode = WorkflowDocument['nodes'] extends (infer N)[] | undefined ? N : never;
export type DocumentEdge = WorkflowDocument['edges'] extends (infer E)[] | undefined ? E : never;
/** A viewport with every field filled in (the document's fields have defaults). */
export type Viewport = Required<NonNullable<WorkflowDocument['viewport']>>;

export type ListWorkflowsQuery = NonNullable<operations['listWorkflows']['parameters']['query']>;
export type WorkflowSort = NonNullable<ListWorkflowsQuery['sort']>;

/** `GET /api/v1/node-types`: every node type and the port compatibility table. */
export type NodeTypeCatalogueResponse = JsonOf<operations['listNodeTypes']['responses'][200]>;
export type NodeTypeInfo = NodeTypeCatalogueResponse['items'][number];
/** A problem `graph_engine.validate` found in a saved workflow (stored with the draft). */
export type WorkflowProblem = NonNullable<Workflow['problems']>[number];
