/** Values for the workflow's inputs before a run: one field each, defaults filled in. */
import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { Play } from 'lucide-react';
import { useState, type FormEvent } from 'react';

import type { WorkflowInput } from './inputs';

interface Props {
  inputs: readonly WorkflowInput[] | null;
  starting: boolean;
  onClose: () => void;
  onRun: (values: Record<string, string>) => void;
}

export function RunInputsDialog({ inputs, starting, onClose, onRun }: Props) {
  return (
    <Modal opened={inputs !== null} onClose={onClose} title="Run workflow" size="lg" centered>
      {inputs && <InputsForm inputs={inputs} starting={starting} onCancel={onClose} onRun={onRun} />}
    </Modal>
  );
}

function InputsForm({
  inputs,
  starting,
  onCancel,
  onRun,
}: {
  inputs: readonly WorkflowInput[];
  starting: boolean;
  onCancel: () => void;
  onRun: (values: Record<string, string>) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((input) => [input.name, input.defaultValue ?? ''])),
  );
  const missing = inputs.filter((input) => input.defaultValue === null && !values[input.name]?.trim());

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (missing.length > 0) return;
    // An empty optional field means "use the default": leave it out.
    const given = Object.fromEntries(
      inputs.flatMap((input) => {
        const value = values[input.name] ?? '';
        return input.defaultValue !== null && value === '' ? [] : [[input.name, value]];
      }),
    );
    onRun(given);
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          This workflow takes {inputs.length === 1 ? 'an input' : `${inputs.length} inputs`}.
        </Text>
        {inputs.map((input, index) => (
          <Textarea
            key={input.nodeId}
            label={input.name}
            description={input.description || undefined}
            placeholder={input.defaultValue !== null ? `Default: ${input.defaultValue}` : undefined}
            required={input.defaultValue === null}
            autosize
            minRows={2}
            maxRows={8}
            data-autofocus={index === 0 || undefined}
            value={values[input.name] ?? ''}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setValues((current) => ({ ...current, [input.name]: value }));
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) submit(event);
            }}
          />
        ))}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button
            type="submit"
            leftSection={<Play size={16} />}
            loading={starting}
            disabled={missing.length > 0}
          >
            Run
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
