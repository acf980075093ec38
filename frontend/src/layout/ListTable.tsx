import { Paper, Table } from '@mantine/core';
import type { ReactNode } from 'react';

import listClasses from '../pages/workflow-list/list.module.css';

interface Props {
  /** The table's accessible name. */
  label: string;
  /** The header cells. */
  head: ReactNode;
  /** The body rows. */
  children: ReactNode;
}

/** The bordered list table of the settings pages (API keys, credentials, users). */
export function ListTable({ label, head, children }: Props) {
  return (
    <Paper withBorder radius="lg" className={listClasses.tablePaper}>
      <Table className={listClasses.table} verticalSpacing="sm" horizontalSpacing="md" aria-label={label}>
        <Table.Thead>
          <Table.Tr>{head}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Paper>
  );
}
