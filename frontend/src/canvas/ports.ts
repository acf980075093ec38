/**
 * A node's ports for its current params. Static types use the catalogue's ports; a type
 * with `dynamic_inputs_from` / `dynamic_outputs_from` derives them from that param the
 * way the engine does (graph_engine/templating.py, prompt.py, logic.py), so handles
 * follow the params as the person types:
 *
 * - a string param is a template: one `text` port per `{variable}` (first appearance
 *   order; `{{` and `}}` are literal braces);
 * - a list of rules: one port per distinct `route`, then the `default_route` param
 *   (schema default `default`), typed like the type's first static port (else `any`).
 */
import type { NodeTypeSpec, PortSpec } from './catalogue';

const TEMPLATE_TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
// An identifier in any script, as Python's str.isidentifier() (XID_Start, XID_Continue).
const VARIABLE = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

export interface TemplateScan {
  /** Variable names in NFC form, in order of first appearance. */
  variables: string[];
  /** The first fault, as the engine reports it; `index` counts code points, as Python does. */
  error: { index: number; message: string } | null;
}

/** Mirrors graph_engine/templating.py; tests/fixtures/template_cases.json holds both to
 * the same answers. */
export function scanTemplate(template: string): TemplateScan {
  const found = new Set<string>();
  for (const match of template.matchAll(TEMPLATE_TOKEN)) {
    const [token, inner] = match;
    if (token === '{{' || token === '}}') continue;
    const index = [...template.slice(0, match.index)].length;
    if (inner === undefined) {
      const message = `The template has an unmatched '${token}' at position ${index}: write a variable as {name} and a literal brace as {{ or }}.`;
      return { variables: [...found], error: { index, message } };
    }
    const name = inner.normalize('NFC');
    if (!VARIABLE.test(name)) {
      const message = `The template's ${shown(token)} at position ${index} is not a variable: a variable is a name of letters, digits and _ (any script) not starting with a digit; write a literal brace as {{ or }}.`;
      return { variables: [...found], error: { index, message } };
    }
    found.add(name);
  }
  return { variables: [...found], error: null };
}

/** `token` quoted on one line, at most 40 characters. */
function shown(token: string): string {
  const text = [...token.split(/\s+/).filter(Boolean).join(' ')];
  return `'${text.length <= 40 ? text.join('') : text.slice(0, 39).join('') + '…'}'`;
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
