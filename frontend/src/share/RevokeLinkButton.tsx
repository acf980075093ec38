import { Button, Group, Popover, Stack, Text } from '@mantine/core';
import { Trash2 } from 'lucide-react';
import { useId, useState } from 'react';

/** Revoking cannot be undone, so it asks first: a small confirmation under the button. */
export function RevokeLinkButton({
  label,
  revoking,
  onRevoke,
}: {
  label: string;
  revoking: boolean;
  onRevoke: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const titleId = useId();
  return (
    <Popover opened={asking} onChange={setAsking} position="bottom-end" width={260} shadow="md" withArrow>
      <Popover.Target>
        <Button
          variant="subtle"
          color="red"
          size="compact-sm"
          leftSection={<Trash2 size={14} />}
          loading={revoking}
          onClick={() => setAsking((open) => !open)}
        >
          Revoke
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-labelledby={titleId}>
        <Stack gap="xs">
          <Text size="sm" fw={600} id={titleId}>
            Revoke this {label.toLowerCase()} link?
          </Text>
          <Text size="sm">
            Anyone who has this {label.toLowerCase()} link loses access at once. This cannot be undone.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" size="compact-sm" onClick={() => setAsking(false)}>
              Keep it
            </Button>
            <Button
              color="red"
              size="compact-sm"
              onClick={() => {
                setAsking(false);
                onRevoke();
              }}
            >
              Revoke link
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
