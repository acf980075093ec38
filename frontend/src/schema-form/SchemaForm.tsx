/**
 * A form generated from a JSON Schema object: one control per property, recursing into
 * arrays and nested objects. The value holds only what the person set (a cleared optional
 * field is removed, so the engine's default applies); errors arrive keyed by JSON pointer.
 */
import {
  ActionIcon,
  Autocomplete,
  Button,
  Fieldset,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { Plus, Trash2 } from 'lucide-react';
import { useState, type ComponentType } from 'react';

import { CREDENTIAL_KEY, describeField, emptyValue, fieldLabel, type JsonSchema } from './schema';
import classes from './SchemaForm.module.css';
import { TemplateField } from './TemplateField';
import { escape, type FieldError } from './validate';

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  errors?: readonly FieldError[];
  /** Names offered by credential pickers. */
  credentialNames?: readonly string[];
  /** Properties that are `{variable}` templates (highlighted). */
  templateFields?: readonly string[];
  /** Renders `{"$credential": NAME}` params (the app's picker); a name box by default. */
  credentialField?: ComponentType<CredentialFieldProps>;
}

/** What a credential control gets: the referenced name, and a setter for another one. */
export interface CredentialFieldProps {
  label: string;
  description?: string;
  error?: string;
  withAsterisk: boolean;
  value: string;
  /** Names the document lists as needed (offered even when not stored). */
  knownNames: readonly string[];
  onChange: (name: string | undefined) => void;
}

interface Context {
  root: JsonSchema;
  errors: readonly FieldError[];
  credentialNames: readonly string[];
  templateFields: readonly string[];
  credentialField?: ComponentType<CredentialFieldProps>;
}

export function SchemaForm({
  schema,
  value,
  onChange,
  errors = [],
  credentialNames = [],
  templateFields = [],
  credentialField,
}: SchemaFormProps) {
  const context: Context = { root: schema, errors, credentialNames, templateFields, credentialField };
  return (
    <ObjectFields
      schema={schema}
      value={value}
      pointer=""
      context={context}
      onChange={(next) => onChange((next ?? {}) as Record<string, unknown>)}
    />
  );
}

interface FieldProps {
  schema: JsonSchema;
  value: unknown;
  pointer: string;
  context: Context;
  onChange: (value: unknown) => void;
}

function ObjectFields({ schema, value, pointer, context, onChange }: FieldProps) {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const set = (key: string, next: unknown) => {
    const copy = { ...record };
    if (next === undefined) delete copy[key];
    else copy[key] = next;
    onChange(copy);
  };
  return (
    <Stack gap="sm">
      {Object.entries(schema.properties ?? {}).map(([key, property]) => (
        <Field
          key={key}
          name={key}
          required={required.has(key)}
          schema={property}
          value={record[key]}
          pointer={`${pointer}/${escape(key)}`}
          context={context}
          onChange={(next) => set(key, next)}
        />
      ))}
    </Stack>
  );
}

function errorAt(context: Context, pointer: string): string | undefined {
  return context.errors.find((error) => error.pointer === pointer)?.message;
}

function Field({ name, required, ...props }: FieldProps & { name: string; required: boolean }) {
  const { schema, value, pointer, context, onChange } = props;
  const info = describeField(schema, context.root);
  const label = fieldLabel(name, info.schema.title ? info.schema : schema);
  const description = info.schema.description ?? schema.description;
  const error = errorAt(context, pointer);
  const placeholder = info.schema.default != null ? String(info.schema.default) : undefined;
  const common = { label, description, error, withAsterisk: required };
  const clear = (next: unknown) => onChange(next === '' && !required ? undefined : next);

  switch (info.kind) {
    case 'credential': {
      const reference =
        value && typeof value === 'object'
          ? String((value as Record<string, unknown>)[CREDENTIAL_KEY] ?? '')
          : '';
      const set = (next: string | undefined) => onChange(next ? { [CREDENTIAL_KEY]: next } : undefined);
      if (context.credentialField) {
        const Picker = context.credentialField;
        return (
          // Named after the param, not the shared CredentialRef model.
          <Picker
            {...common}
            label={fieldLabel(name, schema)}
            description={description}
            value={reference}
            knownNames={context.credentialNames}
            onChange={set}
          />
        );
      }
      return (
        <Autocomplete
          {...common}
          description={
            description ?? 'The name of a credential supplied when the workflow runs; never the secret.'
          }
          placeholder="Credential name"
          data={[...context.credentialNames]}
          value={reference}
          onChange={set}
          classNames={{ input: classes.credential }}
        />
      );
    }
    case 'enum':
      return (
        <Select
          {...common}
          data={(info.schema.enum ?? []).map((option) => ({ value: String(option), label: String(option) }))}
          value={value === undefined ? ((info.schema.default as string | undefined) ?? null) : String(value)}
          onChange={(next) => {
            const option = info.schema.enum?.find((candidate) => String(candidate) === next);
            onChange(option === undefined ? undefined : option);
          }}
          clearable={info.nullable}
          allowDeselect={false}
        />
      );
    case 'boolean':
      return (
        <Switch
          label={label}
          description={description}
          error={error}
          checked={typeof value === 'boolean' ? value : Boolean(info.schema.default)}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      );
    case 'integer':
    case 'number':
      return (
        <NumberInput
          {...common}
          placeholder={placeholder}
          min={info.schema.minimum}
          max={info.schema.maximum}
          allowDecimal={info.kind === 'number'}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) =>
            onChange(typeof next === 'number' ? next : next === '' ? undefined : Number(next))
          }
        />
      );
    case 'textarea':
      if (context.templateFields.includes(name) && pointer === `/${escape(name)}`) {
        return <TemplateField {...common} value={typeof value === 'string' ? value : ''} onChange={clear} />;
      }
      return (
        <Textarea
          {...common}
          placeholder={placeholder}
          autosize
          minRows={3}
          maxRows={14}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => clear(event.currentTarget.value)}
        />
      );
    case 'text':
    case 'scalar':
      return (
        <TextInput
          {...common}
          placeholder={placeholder}
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(event) => clear(event.currentTarget.value)}
        />
      );
    case 'array':
      return (
        <ArrayField {...props} label={label} description={description} error={error} info={info.schema} />
      );
    case 'object':
      return (
        <Fieldset legend={label} className={classes.fieldset}>
          {description && (
            <Text size="xs" c="dimmed" mb="xs">
              {description}
            </Text>
          )}
          <ObjectFields {...props} schema={info.schema} />
        </Fieldset>
      );
    default:
      return <JsonField {...props} label={label} description={description} error={error} />;
  }
}

interface Labelled {
  label: string;
  description?: string;
  error?: string;
}

function ArrayField({
  info,
  value,
  pointer,
  context,
  onChange,
  label,
  description,
  error,
}: FieldProps & Labelled & { info: JsonSchema }) {
  const items = Array.isArray(value) ? value : [];
  const itemSchema = info.items ?? {};
  const itemInfo = describeField(itemSchema, context.root);
  if (itemInfo.kind === 'text' || itemInfo.kind === 'scalar') {
    const itemErrors = context.errors.filter((item) => item.pointer.startsWith(`${pointer}/`));
    return (
      <TagsInput
        label={label}
        description={description ?? 'Press Enter after each item.'}
        error={error ?? itemErrors[0]?.message}
        value={items.map(String)}
        onChange={(next) => onChange(next.length ? next : undefined)}
        maxTags={info.maxItems}
        clearable
      />
    );
  }
  const set = (index: number, next: unknown) => onChange(items.map((item, i) => (i === index ? next : item)));
  const remove = (index: number) => {
    const next = items.filter((_item, i) => i !== index);
    onChange(next.length ? next : undefined);
  };
  return (
    <Fieldset legend={label} className={classes.fieldset}>
      {description && (
        <Text size="xs" c="dimmed" mb="xs">
          {description}
        </Text>
      )}
      {error && (
        <Text size="xs" c="red" mb="xs">
          {error}
        </Text>
      )}
      <Stack gap="sm">
        {items.map((item, index) => (
          <div key={index} className={classes.arrayItem}>
            <Group justify="space-between" mb={4}>
              <Text size="xs" fw={600} c="dimmed">
                {fieldLabel(label, {})} {index + 1}
              </Text>
              <ActionIcon
                size="sm"
                aria-label={`Remove ${label.toLowerCase()} ${index + 1}`}
                onClick={() => remove(index)}
              >
                <Trash2 size={14} />
              </ActionIcon>
            </Group>
            {itemInfo.kind === 'object' ? (
              <ObjectFields
                schema={itemInfo.schema}
                value={item}
                pointer={`${pointer}/${index}`}
                context={context}
                onChange={(next) => set(index, next)}
              />
            ) : (
              <Field
                name={`${label} ${index + 1}`}
                required
                schema={itemSchema}
                value={item}
                pointer={`${pointer}/${index}`}
                context={context}
                onChange={(next) => set(index, next)}
              />
            )}
          </div>
        ))}
        <Button
          variant="light"
          size="xs"
          leftSection={<Plus size={14} />}
          onClick={() => onChange([...items, emptyValue(itemSchema, context.root)])}
          disabled={info.maxItems !== undefined && items.length >= info.maxItems}
        >
          Add to {label.toLowerCase()}
        </Button>
      </Stack>
    </Fieldset>
  );
}

function JsonField({ value, onChange, label, description, error }: FieldProps & Labelled) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string | null>(null);
  return (
    <Textarea
      label={label}
      description={description ?? 'JSON'}
      error={parseError ?? error}
      autosize
      minRows={2}
      classNames={{ input: classes.mono }}
      value={text}
      onChange={(event) => {
        const next = event.currentTarget.value;
        setText(next);
        if (next.trim() === '') {
          setParseError(null);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(next));
          setParseError(null);
        } catch {
          setParseError('Not valid JSON yet.');
        }
      }}
    />
  );
}
