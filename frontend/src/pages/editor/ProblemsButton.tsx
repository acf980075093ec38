/** The backend's problems for the saved workflow: a count in the header, a list that focuses the node. */
import { Badge, Button, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import { useReactFlow } from '@xyflow/react';
import { CircleAlert, CircleCheck } from 'lucide-react';
import { useState } from 'react';

import type { WorkflowProblem } from '../../api/types';
import { useEditorStore, useEditorStoreApi } from '../../canvas/context';
import { problemCount } from '../../canvas/problems';
import classes from './editor.module.css';

export function ProblemsButton() {
  const problems = useEditorStore((state) => state.problems);
  const store = useEditorStoreApi();
  const { setCenter } = useReactFlow();
  const [opened, setOpened] = useState(false);
  const { errors, warnings } = problemCount(problems);

  const focus = (problem: WorkflowProblem) => {
    const state = store.getState();
    const edge = problem.edge_id ? state.edges.find((item) => item.id === problem.edge_id) : undefined;
    const id = problem.node_id ?? edge?.target;
    const node = id ? state.nodes.find((item) => item.id === id) : undefined;
    if (!node) return;
    state.selectOnly(node.id);
    const width = node.measured?.width ?? 240;
    const height = node.measured?.height ?? 100;
    void setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: 1.1, duration: 300 });
    setOpened(false);
  };

  if (problems.length === 0) {
    return (
      <Badge
        variant="light"
        color="teal"
        leftSection={<CircleCheck size={12} />}
        tt="none"
        size="lg"
        radius="sm"
      >
        No problems
      </Badge>
    );
  }
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={380} shadow="md">
      <Popover.Target>
        <Button
          size="xs"
          variant="light"
          color={errors ? 'red' : 'yellow'}
          leftSection={<CircleAlert size={14} />}
          onClick={() => setOpened((value) => !value)}
        >
          {errors + warnings} problem{errors + warnings === 1 ? '' : 's'}
        </Button>
      </Popover.Target>
      <Popover.Dropdown p={6}>
        <Stack gap={2} role="list" aria-label="Problems">
          {problems.map((problem, index) => (
            <UnstyledButton
              key={index}
              role="listitem"
              className={classes.problemRow}
              onClick={() => focus(problem)}
              data-severity={problem.severity}
              data-code={problem.code}
            >
              <Text size="xs" fw={600} tt="uppercase" c={problem.severity === 'error' ? 'red' : 'yellow.8'}>
                {problem.severity === 'error' ? 'Error' : 'Warning'}
              </Text>
              <Text size="sm">{problem.message}</Text>
            </UnstyledButton>
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
