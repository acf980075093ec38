/** A multi-line template input that highlights `{variables}` and lists them as the ports they become. */
import { Badge, Group, Input, Text } from '@mantine/core';
import { useId, type ReactNode } from 'react';

import { scanTemplate } from '../canvas/ports';
import classes from './SchemaForm.module.css';

interface Props {
  label: string;
  description?: string;
  error?: string;
  withAsterisk?: boolean;
  value: string;
  onChange: (value: string) => void;
}

const TOKEN = /(\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\})/g;

function highlight(text: string): ReactNode[] {
  return text.split(TOKEN).map((part, index) =>
    index % 2 === 1 && part.length > 2 && part !== '{{' && part !== '}}' ? (
      <mark key={index} className={classes.variable}>
        {part}
      </mark>
    ) : (
      <span key={index}>{part}</span>
    ),
  );
}

export function TemplateField({ label, description, error, withAsterisk, value, onChange }: Props) {
  const id = useId();
  const scan = scanTemplate(value);
  const shownError = error ?? scan.error?.message;
  return (
    <Input.Wrapper
      label={label}
      description={description}
      error={shownError}
      withAsterisk={withAsterisk}
      id={id}
    >
      <div className={classes.template} data-error={shownError ? true : undefined}>
        <div className={classes.templateBackdrop} aria-hidden>
          {highlight(value)}
          {'\n'}
        </div>
        <textarea
          id={id}
          className={classes.templateInput}
          value={value}
          spellCheck={false}
          placeholder="Answer the question {question} using {context}"
          aria-invalid={shownError ? true : undefined}
          onChange={(event) => onChange(event.currentTarget.value)}
        />
      </div>
      <Group gap={6} mt={6}>
        <Text size="xs" c="dimmed">
          Inputs:
        </Text>
        {scan.variables.length === 0 ? (
          <Text size="xs" c="dimmed" fs="italic">
            none — write {'{name}'} to add one
          </Text>
        ) : (
          scan.variables.map((name) => (
            <Badge key={name} size="sm" variant="light" color="grape" tt="none">
              {name}
            </Badge>
          ))
        )}
      </Group>
    </Input.Wrapper>
  );
}
