import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Last-resort screen for an error thrown while rendering a route. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <Center h="100vh">
      <Stack align="center" gap="xs" maw={480}>
        <Title order={2}>Something went wrong</Title>
        <Text c="dimmed" ta="center">
          {message}
        </Text>
        <Button mt="md" component="a" href="/">
          Back to workflows
        </Button>
      </Stack>
    </Center>
  );
}
