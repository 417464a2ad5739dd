// The smoke app (scripts/smoke-pack.js writes it as main.cjs with require() for the Nest 11
// CommonJS app and as main.mjs with import for the Nest 12 ESM app): plain JavaScript, no build
// step, so decorators are applied as functions. It uses only what the README shows: forRoot,
// SessionService.createNewSession, AuthGuard, @Session(), and the built-in refresh and signout
// routes. Prints `LISTENING <port>` when ready.
/*IMPORTS*/

class AppController {
  constructor(sessions) {
    this.sessions = sessions;
  }
  async signin(body, req, res) {
    await this.sessions.createNewSession(req, res, 'public', String(body.userId), { plan: 'free' });
    return { status: 'OK' };
  }
  me(session) {
    return { userId: session.getUserId(), plan: session.getAccessTokenPayload().plan };
  }
}
Inject(SessionService)(AppController, undefined, 0);
Body()(AppController.prototype, 'signin', 0);
Req()(AppController.prototype, 'signin', 1);
Res({ passthrough: true })(AppController.prototype, 'signin', 2);
Reflect.decorate([Post('signin')], AppController.prototype, 'signin', Object.getOwnPropertyDescriptor(AppController.prototype, 'signin'));
Session()(AppController.prototype, 'me', 0);
Reflect.decorate([Get('me'), UseGuards(AuthGuard)], AppController.prototype, 'me', Object.getOwnPropertyDescriptor(AppController.prototype, 'me'));
Reflect.decorate([Controller()], AppController);

class AppModule {}
Reflect.decorate([Module({ imports: [SessionModule.forRoot({})], controllers: [AppController] })], AppModule);

NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false }).then(
  async (app) => {
    /*PREFIX*/
    await app.listen(0, '127.0.0.1');
    console.log(`LISTENING ${app.getHttpServer().address().port}`);
    const stop = () => app.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (error) => {
    console.error(`START FAILED: ${error && error.message ? error.message : error}`);
    process.exit(1);
  },
);
