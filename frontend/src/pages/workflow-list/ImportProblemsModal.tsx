import { Alert, Button, Code, Group, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import { CircleAlert } from 'lucide-react';

import { describeLocation, type ApiError } from '../../api/errors';
import classes from './list.module.css';

interface Props {
  failure: { file: string; error: ApiError } | null;
  onClose: () => void;
}

/** Every problem the server found in an imported file: its message and where it is. */
export function ImportProblemsModal({ failure, onClose }: Props) {
  const error = failure?.error;
  return (
    <Modal opened={failure !== null} onClose={onClose} title="Import failed" size="lg">
      {error && (
        <Stack gap="md">
          <Alert color="red" variant="light" icon={<CircleAlert size={18} />} title={error.title}>
            <Text size="sm">
              {failure.file}: {error.detail ?? 'The file is not a workflow Nodeloom can import.'}
            </Text>
          </Alert>
          {error.errors.length > 0 && (
            <ScrollArea.Autosize mah={320} type="auto">
              <ul className={classes.problemList} aria-label="Problems">
                {error.errors.map((item, index) => {
                  const where = describeLocation(item);
                  return (
                    <li
                      key={`${item.pointer ?? item.parameter ?? ''}-${index}`}
                      className={classes.problemItem}
                    >
                      <Text size="sm">{item.message}</Text>
                      <Group gap={6} mt={4}>
                        {where && <Code>{where}</Code>}
                        <Text size="xs" c="dimmed">
                          {item.code}
                        </Text>
                      </Group>
                    </li>
                  );
                })}
              </ul>
            </ScrollArea.Autosize>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
