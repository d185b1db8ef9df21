/*
 * Names the ```ts examples of libs/protection/README.md use without defining them: the app's
 * own DTOs, repositories and helpers. Global ambient declarations (a script file: no top-level
 * import or export), compiled together with every README block.
 */

declare class CreateOrderDto {
  item: string;
  quantity: number;
}

declare class LoginDto {
  user: string;
  password: string;
}

declare class UserDto {
  id: string;
  name: string;
  email: string;
}

/** Your login logic. */
declare class AuthService {
  login(dto: LoginDto): Promise<{ token: string }>;
}

/** Your persistence layer. */
declare class UsersRepository {
  get(id: string): { id: string; name: string; email: string; role: string };
  update(id: string, changes: { name?: string; email?: string; role: string }): Promise<UserDto>;
  findAndCount(query: {
    skip: number;
    take: number;
    order: Record<string, 'ASC' | 'DESC'>;
  }): Promise<[UserDto[], number]>;
}

/** A store that refuses writes carrying an older fencing token than the last one it saw. */
declare class Ledger {
  write(orderId: string, fencingToken: number | undefined): Promise<void>;
}

/** Server-side check of a hosted CAPTCHA token with its provider. */
declare function verifyWithProvider(token: string): Promise<boolean>;

/*
 * Not an example name: ioredis 6.0.0's own declarations import 'redis-errors', which ships no
 * types, so a project compiled with skipLibCheck false (the snippet project is) fails inside
 * ioredis as soon as an example imports it. Apps with Nest's default skipLibCheck never see it.
 */
declare module 'redis-errors';
