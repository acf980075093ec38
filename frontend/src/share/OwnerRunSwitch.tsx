/** A link's switch in the Share dialog: whether its visitors also see the owner's latest
 * run. Visitors always see the runs they start, never one another's. */
import { Switch, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';

import { errorMessage } from '../api/errors';
import { useUpdateShareLink, type ShareLink } from './api';

export const OWNER_RUN_HELP =
  'Visitors then also see your latest run, inputs and outputs included. They always see the runs they start themselves, never one another’s.';

export function OwnerRunSwitch({ workflowId, link }: { workflowId: string; link: ShareLink }) {
  const update = useUpdateShareLink(workflowId);
  const checked = update.isPending ? update.variables.shown : link.show_owner_latest_run;
  return (
    <Tooltip label={OWNER_RUN_HELP} multiline maw={260} openDelay={300}>
      <Switch
        size="xs"
        mt={6}
        label="Visitors also see my latest run"
        checked={checked}
        disabled={update.isPending}
        onChange={(event) =>
          update.mutate(
            { linkId: link.id, shown: event.currentTarget.checked },
            {
              onError: (error) =>
                notifications.show({
                  color: 'red',
                  title: 'Could not change the link',
                  message: errorMessage(error),
                }),
            },
          )
        }
      />
    </Tooltip>
  );
}
