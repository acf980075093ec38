/**
 * The backend's problems on a saved workflow, attached to the nodes and edges they name.
 * Only nodes whose problems changed are replaced, so memoized nodes do not re-render.
 */
import type { WorkflowProblem } from '../api/types';
import type { AppEdge, AppNode, NodeProblem } from './types';

const toItem = (problem: WorkflowProblem): NodeProblem => ({
  code: problem.code,
  severity: problem.severity,
  message: problem.message,
});

function group(problems: readonly WorkflowProblem[], key: 'node_id' | 'edge_id') {
  const byId = new Map<string, NodeProblem[]>();
  for (const problem of problems) {
    const id = problem[key];
    if (id) byId.set(id, [...(byId.get(id) ?? []), toItem(problem)]);
  }
  return byId;
}

const same = (a: readonly NodeProblem[] | undefined, b: readonly NodeProblem[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function applyProblems(nodes: AppNode[], edges: AppEdge[], problems: readonly WorkflowProblem[]) {
  const forNodes = group(problems, 'node_id');
  const forEdges = group(problems, 'edge_id');
  return {
    nodes: nodes.map((node) => {
      const found = forNodes.get(node.id);
      if (same(found, node.data.problems)) return node;
      const data = { ...node.data };
      if (found) data.problems = found;
      else delete data.problems;
      return { ...node, data } as AppNode;
    }),
    edges: edges.map((edge) => {
      const found = forEdges.get(edge.id);
      if (same(found, edge.data?.problems)) return edge;
      return {
        ...edge,
        data: found ? { ...edge.data, problems: found } : undefined,
        className: found ? 'has-problem' : undefined,
      };
    }),
  };
}

export const problemCount = (problems: readonly WorkflowProblem[]) => ({
  errors: problems.filter((problem) => problem.severity === 'error').length,
  warnings: problems.filter((problem) => problem.severity !== 'error').length,
});
