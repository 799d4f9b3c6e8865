/**
 * @module directory The fake workspace's people and places: users (`users.info`), channels and
 * their members (`conversations.members`, `not_in_channel`), and user groups
 * (`usergroups.users.list`). Tests change it mid-run to model someone leaving a group.
 */
import type { AppIdentity, SlackChannel, SlackChannelSeed, SlackUser, SlackUserSeed } from './types.js';

type Identity = Pick<AppIdentity, 'teamId' | 'botUserId' | 'botName'>;

/** Fills a seed with Slack's defaults for an ordinary, active, full member. */
export function toUser(seed: SlackUserSeed, teamId: string): SlackUser {
  const name = seed.name ?? seed.id.toLowerCase();
  const realName = seed.real_name ?? seed.profile?.real_name ?? name;
  return {
    team_id: teamId,
    deleted: false,
    is_bot: false,
    is_app_user: false,
    is_admin: false,
    is_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    tz: 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    updated: 1_700_000_000,
    ...seed,
    name,
    real_name: realName,
    profile: { real_name: realName, display_name: seed.profile?.display_name ?? name, ...seed.profile },
  };
}

export class Directory {
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, SlackChannel>();
  readonly usergroups = new Map<string, string[]>();

  constructor(
    private readonly identity: Identity,
    seeds: { users: SlackUserSeed[]; channels: SlackChannelSeed[]; usergroups: Record<string, string[]> },
  ) {
    this.addUser({ id: identity.botUserId, name: identity.botName, is_bot: true });
    for (const u of seeds.users) this.addUser(u);
    for (const c of seeds.channels) this.addChannel(c);
    for (const [id, members] of Object.entries(seeds.usergroups)) this.usergroups.set(id, [...members]);
  }

  addUser(seed: SlackUserSeed): SlackUser {
    const user = toUser(seed, this.identity.teamId);
    this.users.set(user.id, user);
    return user;
  }

  addChannel(seed: SlackChannelSeed): SlackChannel {
    const channel: SlackChannel = {
      id: seed.id,
      name: seed.name ?? seed.id.toLowerCase(),
      members: seed.members ? [...seed.members] : [...this.users.keys()],
      is_archived: seed.is_archived ?? false,
      is_im: false,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /**
   * Finds a channel by ID. A user ID resolves to the app's DM with that user, opened on first use,
   * because `chat.postMessage` accepts a user ID as `channel` (reference §4).
   */
  resolveChannel(id: string): SlackChannel | undefined {
    const existing = this.channels.get(id);
    if (existing) return existing;
    if (!this.users.has(id)) return undefined;
    const dmId = `D${id.slice(1)}`;
    const dm = this.channels.get(dmId) ?? {
      id: dmId,
      name: 'directmessage',
      members: [id, this.identity.botUserId],
      is_archived: false,
      is_im: true,
    };
    this.channels.set(dmId, dm);
    return dm;
  }
}
