/** A value shown once (a new API key, a new share link): one selectable line and a Copy button. */
import { Button, CopyButton, Group, TextInput } from '@mantine/core';
import { Check, Copy } from 'lucide-react';

import classes from './auth.module.css';

interface Props {
  value: string;
  label: string;
}

export function SecretOnce({ value, label }: Props) {
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput
        readOnly
        value={value}
        aria-label={label}
        data-testid="secret-once"
        classNames={{ input: classes.keyValue }}
        style={{ flex: 1 }}
        onFocus={(event) => event.currentTarget.select()}
      />
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => (
          <Button
            variant={copied ? 'light' : 'filled'}
            color={copied ? 'teal' : undefined}
            leftSection={copied ? <Check size={16} /> : <Copy size={16} />}
            onClick={copy}
            w={108}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
