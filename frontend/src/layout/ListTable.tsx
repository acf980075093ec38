import { Paper, Table } from '@mantine/core';
import type { ReactNode } from 'react';

import classes from './ListTable.module.css';

interface Props {
  /** The table's accessible name. */
  label: string;
  /** The header cells. */
  head: ReactNode;
  /** The body rows. */
  children: ReactNode;
  /** Shade the row under the pointer: for rows that open something. */
  highlightOnHover?: boolean;
}

/** The bordered list table of every list page (workflows, API keys, credentials, users). */
export function ListTable({ label, head, children, highlightOnHover = false }: Props) {
  return (
    <Paper withBorder radius="lg" className={classes.paper}>
      <Table
        className={classes.table}
        verticalSpacing="sm"
        horizontalSpacing="md"
        highlightOnHover={highlightOnHover}
        aria-label={label}
      >
        <Table.Thead>
          <Table.Tr>{head}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Paper>
  );
}
