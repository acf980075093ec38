/**
 * A node's ports for its current params. Static types use the catalogue's ports; a type
 * with `dynamic_inputs_from` / `dynamic_outputs_from` derives them from that param the
 * way the engine does (graph_engine/nodes/_template.py, prompt.py, logic.py), so handles
 * follow the params as the person types:
 *
 * - a string param is a template: one `text` port per `{variable}` (first appearance
 *   order; `{{` and `}}` are literal braces);
 * - a list of rules: one port per distinct `route`, then the `default_route` param
 *   (schema default `default`), typed like the type's first static port (else `any`).
 */
import type { NodeTypeSpec, PortSpec } from './catalogue';

const TEMPLATE_TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]/g;

export interface TemplateScan {
  variables: string[];
  /** The first unmatched brace, as the engine would report it. */
  error: { index: number; message: string } | null;
}

export function scanTemplate(template: string): TemplateScan {
  const found = new Set<string>();
  for (const match of template.matchAll(TEMPLATE_TOKEN)) {
    const token = match[0];
    if (token === '{' || token === '}') {
      return {
        variables: [...found],
        error: {
          index: match.index ?? 0,
          message: `Unmatched '${token}' at position ${match.index}: write a variable as {name} and a literal brace as {{ or }}.`,
        },
      };
    }
    if (match[1]) found.add(match[1]);
  }
  return { variables: [...found], error: null };
}

const dynamicPort = (name: string, type: string): PortSpec => ({
  name,
  type,
  title: name,
  required: true,
  multiple: false,
  description: '',
});

function defaultOf(spec: NodeTypeSpec, field: string): unknown {
  const properties = spec.paramsSchema.properties ?? {};
  return properties[field]?.default;
}

function routesOf(spec: NodeTypeSpec, rules: unknown[], params: Record<string, unknown>): string[] {
  const routes = new Set<string>();
  for (const rule of rules) {
    const route = (rule as { route?: unknown } | null)?.route;
    if (typeof route === 'string' && route) routes.add(route);
  }
  const fallback = params.default_route ?? defaultOf(spec, 'default_route') ?? 'default';
  if (typeof fallback === 'string' && fallback) routes.add(fallback);
  return [...routes];
}

function derive(
  spec: NodeTypeSpec,
  field: string,
  params: Record<string, unknown>,
  staticPorts: readonly PortSpec[],
  templateType: string,
): readonly PortSpec[] {
  const value = params[field] ?? defaultOf(spec, field);
  if (typeof value === 'string') {
    return scanTemplate(value).variables.map((name) => dynamicPort(name, templateType));
  }
  if (Array.isArray(value)) {
    const type = staticPorts[0]?.type ?? 'any';
    return routesOf(spec, value, params).map((name) => dynamicPort(name, type));
  }
  return staticPorts;
}

export interface NodePorts {
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
}

export function portsFor(spec: NodeTypeSpec, params: Record<string, unknown>): NodePorts {
  return {
    inputs: spec.dynamicInputsFrom
      ? derive(spec, spec.dynamicInputsFrom, params, spec.inputs, 'text')
      : spec.inputs,
    outputs: spec.dynamicOutputsFrom
      ? derive(spec, spec.dynamicOutputsFrom, params, spec.outputs, 'text')
      : spec.outputs,
  };
}
