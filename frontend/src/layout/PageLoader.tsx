import { Center, Loader } from '@mantine/core';

import classes from './layout.module.css';

/** Full-page spinner while a route's code or data loads. */
export function PageLoader({ label = 'Loading' }: { label?: string }) {
  return (
    <Center className={classes.fullPage}>
      <Loader aria-label={label} />
    </Center>
  );
}
