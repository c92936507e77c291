// The next follow-up of one employee's relation with the customer, set from the console's
// customer drawer (the API checks that the signed-in user may act for that employee).
import { get, type Schemas } from '../../api'
import { useLoad } from '../../hooks'
import { FollowUpPicker } from '../sidebar/Essentials'

export default function RelationFollowUp({ customerId, userid }: { customerId: number; userid: string }) {
  const profile = useLoad(
    () => get<Schemas['ProfileOut']>(`/customers/${customerId}/profile`, { userid }),
    [customerId, userid],
  )
  // out of the user's scope (403) or no live relation: nothing to set here
  if (!profile.data) return null
  return (
    <div data-testid={`relation-follow-up-${userid}`}>
      <FollowUpPicker
        key={`${profile.data.follow_up?.due_at ?? ''}|${profile.data.follow_up?.note ?? ''}`}
        customerId={customerId}
        profile={profile.data}
        onChanged={() => void profile.reload()}
      />
    </div>
  )
}
